// A single purple tulip leaning to the right on a slender stem, violet petals over a pale lavender wash, two long leaves.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f3f0f4');
  brush.noStroke();
  brush.fillBleed(0.4);
  brush.fillTexture(0.3, 0.2);
  brush.fill('#ddd2ea', 110);
  brush.polygon([[-180, -200], [200, -220], [220, 60], [-160, 80]]);

  brush.noFill();
  brush.set('charcoal', '#4e7a4a', 1.8);
  brush.spline([[30, -40], [0, 100], [-30, 250]], 0.6);
  brush.noStroke();
  brush.fillBleed(0.3);
  brush.fillTexture(0.45, 0.35);
  brush.fill('#5d8f5e', 200);
  brush.polygon([[-28, 240], [-110, 120], [-130, 30], [-60, 150]]);
  brush.fill('#4b7a4e', 190);
  brush.polygon([[-20, 220], [60, 140], [110, 100], [40, 190]]);

  push();
  translate(35, -80);
  rotate(12);
  brush.set('HB', '#3d1a5c', 0.6);
  brush.fillBleed(0.25);
  brush.fillTexture(0.5, 0.55);
  // back petals
  for (let k = 0; k < 2; k++) {
    brush.fill(k ? '#7e4fb8' : '#8a5cc2', 210);
    brush.beginShape(0.55);
    brush.vertex(-60, -90); brush.vertex(-70, -10); brush.vertex(-30, 45); brush.vertex(30, 45);
    brush.vertex(70, -10); brush.vertex(60, -90); brush.vertex(20, -55); brush.vertex(0, -105); brush.vertex(-20, -55);
    brush.endShape(true);
    brush.noStroke();
  }
  brush.set('HB', '#3d1a5c', 0.6);
  // front petal
  brush.fill('#6b3fa8', 220);
  brush.beginShape(0.6);
  brush.vertex(-20, -100); brush.vertex(-45, -20); brush.vertex(0, 42); brush.vertex(45, -20); brush.vertex(20, -100);
  brush.endShape(true);
  brush.noStroke();
  brush.fill('#4b2585', 160);
  brush.beginShape(0.6);
  brush.vertex(-8, -80); brush.vertex(-22, -10); brush.vertex(0, 35); brush.vertex(20, -10); brush.vertex(8, -80);
  brush.endShape(true);
  brush.noFill();
  brush.set('cpencil', '#d8c4f0', 0.8);
  brush.spline([[-30, -70], [-38, -10], [-15, 30]], 0.6);
  pop();
}
