// Purple plums and a violet jug on a lilac cloth, cool watercolour still life.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f3eff4');
  brush.scaleBrushes(1.5);

  brush.noStroke();
  brush.fill('#c9b8d8', 150);
  brush.fillBleed(0.3);
  brush.fillTexture(0.5, 0.3);
  brush.polygon([[-256, 80], [256, 60], [256, 256], [-256, 256]]);

  // jug
  brush.fill('#6a4c93', 210);
  brush.fillBleed(0.25);
  brush.fillTexture(0.5, 0.45);
  brush.beginShape(0.6);
  brush.vertex(-40, -140);
  brush.vertex(40, -140);
  brush.vertex(30, -90);
  brush.vertex(80, -10);
  brush.vertex(65, 90);
  brush.vertex(-65, 90);
  brush.vertex(-80, -10);
  brush.vertex(-30, -90);
  brush.endShape(true);
  brush.fill('#b79fd6', 170);
  brush.polygon([[-55, -30], [-35, -60], [-40, 60], [-58, 50]]);

  // plums
  const plums = [[-150, 110, 42, '#5b2a6e'], [-95, 135, 38, '#7a3b8f'], [120, 120, 44, '#4e2463'], [175, 140, 34, '#8a4aa0']];
  for (const [x, y, r, c] of plums) {
    brush.fill(c, 215);
    brush.fillBleed(0.3);
    brush.circle(x, y, r);
  }
  brush.fill('#d9c7ea', 180);
  brush.circle(-160, 98, 9);
  brush.circle(110, 106, 10);

  brush.noFill();
  brush.set('HB', '#2e1f3b', 1.0);
  brush.spline([[55, -110], [120, -90], [110, -20], [72, 0]], 0.6);
  brush.line(-150, 68, -140, 60);
  brush.line(120, 76, 128, 64);
}
