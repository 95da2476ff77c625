// Three red tulips on tall curving stems with long blue-green leaves, cup-shaped blooms in layered washes.
function bloom(x, y, s, tilt, col, dark) {
  push();
  translate(x, y);
  rotate(tilt);
  brush.set('HB', '#7a1420', 0.6);
  brush.fillBleed(0.25);
  brush.fillTexture(0.5, 0.5);
  brush.fill(col, 215);
  brush.beginShape(0.5);
  brush.vertex(-38 * s, -70 * s);
  brush.vertex(-45 * s, -10 * s);
  brush.vertex(-20 * s, 25 * s);
  brush.vertex(20 * s, 25 * s);
  brush.vertex(45 * s, -10 * s);
  brush.vertex(38 * s, -70 * s);
  brush.vertex(15 * s, -40 * s);
  brush.vertex(0, -78 * s);
  brush.vertex(-15 * s, -40 * s);
  brush.endShape(true);
  brush.noStroke();
  brush.fill(dark, 170);
  brush.beginShape(0.6);
  brush.vertex(-12 * s, -75 * s);
  brush.vertex(-28 * s, -15 * s);
  brush.vertex(0, 22 * s);
  brush.vertex(28 * s, -15 * s);
  brush.vertex(12 * s, -75 * s);
  brush.endShape(true);
  pop();
}

function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f6f2ea');
  brush.noFill();
  brush.set('charcoal', '#4e7a4a', 1.6);
  brush.spline([[-95, -35], [-70, 100], [-10, 250]], 0.6);
  brush.spline([[20, -105], [10, 80], [0, 250]], 0.6);
  brush.spline([[120, -5], [80, 120], [15, 250]], 0.6);
  brush.noStroke();
  brush.fillBleed(0.3);
  brush.fillTexture(0.45, 0.35);
  brush.fill('#5d8f6e', 200);
  brush.polygon([[-5, 250], [-90, 120], [-120, 60], [-60, 140]]);
  brush.fill('#4a7f62', 200);
  brush.polygon([[5, 250], [100, 150], [150, 110], [70, 200]]);
  brush.fill('#6a9a78', 180);
  brush.polygon([[0, 250], [-25, 150], [-20, 90], [5, 170]]);

  bloom(-100, -60, 1.0, -12, '#d8283a', '#a3162c');
  bloom(20, -130, 1.1, 2, '#e0394a', '#b01c30');
  bloom(125, -30, 0.9, 14, '#d42235', '#9c1428');
}
