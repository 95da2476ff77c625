// A blue Egyptian water lily held above pale blue water, pointed sky-blue petals with a golden centre, two pads.
function lpetal(a, len, w, col, op) {
  push();
  rotate(a);
  brush.fill(col, op);
  brush.beginShape(0.45);
  brush.vertex(0, 0);
  brush.vertex(-w * 0.5, -len * 0.55);
  brush.vertex(0, -len);
  brush.vertex(w * 0.5, -len * 0.55);
  brush.endShape(true);
  pop();
}

function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#eef3f6');
  brush.noStroke();
  brush.fillBleed(0.4);
  brush.fillTexture(0.4, 0.2);
  brush.fill('#9cc3d8', 160);
  brush.rect(-270, 60, 540, 220);

  brush.fillBleed(0.2);
  brush.fillTexture(0.45, 0.45);
  brush.fill('#4f8a6a', 200);
  brush.polygon([[-60, 150], [-220, 130], [-250, 170], [-200, 205], [-90, 200]]);
  brush.fill('#5f9a76', 190);
  brush.polygon([[60, 170], [180, 140], [250, 165], [210, 215], [90, 215]]);

  brush.noFill();
  brush.set('charcoal', '#3f6f5a', 1.6);
  brush.spline([[0, -30], [10, 60], [-5, 170]], 0.5);

  push();
  translate(0, -60);
  brush.set('HB', '#2c4f9a', 0.6);
  brush.fillBleed(0.2);
  brush.fillTexture(0.5, 0.55);
  for (let i = 0; i < 7; i++) lpetal((i - 3) * 24, 150, 50, '#6a9be0', 220);
  for (let i = 0; i < 4; i++) lpetal((i - 1.5) * 30, 120, 46, '#4a7fd4', 210);
  brush.noStroke();
  brush.fill('#f2c230', 240);
  brush.polygon([[-28, 0], [28, 0], [18, -22], [-18, -22]]);
  brush.fill('#3f6f5a', 220);
  brush.polygon([[-30, 0], [30, 0], [10, 25], [-10, 25]]);
  pop();

  brush.noFill();
  brush.set('2H', '#ffffff', 0.9);
  brush.line(-180, 100, -90, 100);
  brush.line(110, 250, 200, 250);
}
